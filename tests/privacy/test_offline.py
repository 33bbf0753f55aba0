from __future__ import annotations

import pytest
import pytest_socket

from listening.config import RedactionPolicy
from listening.privacy import engine
from listening.privacy.offline import offline_extractor
from listening.privacy.redactor import Redactor


def test_tldextract_has_no_remote_urls() -> None:
    assert tuple(offline_extractor().suffix_list_urls) == ()


def test_redaction_with_sockets_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh engine so that building it happens inside the no-network context too.
    monkeypatch.setattr(engine, "_analyzers", {})
    pytest_socket.disable_socket()
    try:
        redactor = Redactor(RedactionPolicy())
        result = redactor.redact("mail jane@example.com or see https://www.portalder.ca/snow, @bob")
    finally:
        pytest_socket.enable_socket()
    assert result.text == "mail <EMAIL_ADDRESS> or see https://www.portalder.ca/snow, <SOCIAL_HANDLE>"


def test_log_decision_process_is_off(redactor: Redactor) -> None:
    assert redactor._analyzer.log_decision_process is False
