"""The project's own Presidio recognizers."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from listening.privacy.recognizers.addresses import StreetAddressRecognizer
from listening.privacy.recognizers.canada import (
    CaHealthCardRecognizer,
    CaPostalCodeRecognizer,
    CaSinRecognizer,
)
from listening.privacy.recognizers.cards import CardNumberRecognizer
from listening.privacy.recognizers.handles import SocialHandleRecognizer
from listening.privacy.recognizers.person_names import NameGazetteerRecognizer
from listening.privacy.recognizers.phones import (
    GroupedPhoneRecognizer,
    NorthAmericanPhoneRecognizer,
)
from listening.privacy.recognizers.profile_urls import ProfileUrlRecognizer
from listening.privacy.recognizers.proper_names import ProperNameRecognizer


def project_recognizers() -> list[EntityRecognizer]:
    """One fresh instance of every project recognizer."""
    return [
        SocialHandleRecognizer(),
        ProfileUrlRecognizer(),
        StreetAddressRecognizer(),
        NorthAmericanPhoneRecognizer(),
        GroupedPhoneRecognizer(),
        CaSinRecognizer(),
        CaHealthCardRecognizer(),
        CaPostalCodeRecognizer(),
        NameGazetteerRecognizer(),
        ProperNameRecognizer(),
        CardNumberRecognizer(),
    ]
