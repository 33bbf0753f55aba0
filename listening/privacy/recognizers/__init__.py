"""The project's own Presidio recognizers."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from listening.privacy.person.detect import (
    CuedNameRecognizer,
    HashtagNameRecognizer,
    TitledNameRecognizer,
)
from listening.privacy.person.gazetteer import NameGazetteerRecognizer
from listening.privacy.person.proper_names import ProperNameRecognizer
from listening.privacy.recognizers.addresses import StreetAddressRecognizer
from listening.privacy.recognizers.canada import (
    CaHealthCardRecognizer,
    CaPostalCodeRecognizer,
    CaSinRecognizer,
)
from listening.privacy.recognizers.cards import CardNumberRecognizer
from listening.privacy.recognizers.handles import SocialHandleRecognizer
from listening.privacy.recognizers.phones import (
    GroupedPhoneRecognizer,
    NorthAmericanPhoneRecognizer,
)
from listening.privacy.recognizers.profile_urls import ProfileUrlRecognizer


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
        TitledNameRecognizer(),
        HashtagNameRecognizer(),
        CuedNameRecognizer(),
        CardNumberRecognizer(),
    ]
