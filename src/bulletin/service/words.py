"""The service's own words, in English and Welsh.

The button says the layout's own ``unsubscribe`` word (layout.toml); the rest
are here. ``{publisher}`` and ``{address}`` are filled in, escaped.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LANGUAGES", "WORDS", "choose_language"]

LANGUAGES = ("en", "cy")
"""The languages the pages are written in; the first is the default."""

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "lang_tag": "en-GB",
        "other_language": "Cymraeg",
        "title": "Unsubscribe",
        "confirm_heading": "Unsubscribe from emails from {publisher}?",
        "confirm_body": "Press the button to stop sending these emails to {address}.",
        "confirm_button": "Unsubscribe",
        "done_heading": "You have been unsubscribed",
        "done_body": "{address} will not be sent emails from {publisher} any more.",
        "mistake_heading": "Unsubscribed by mistake?",
        "resubscribe_button": "Subscribe again",
        "resubscribed_heading": "You are subscribed again",
        "resubscribed_body": "{address} will be sent emails from {publisher} again.",
        "invalid_heading": "This link is not working",
        "invalid_body": "We could not check this link. It may have been cut short "
        "when it was copied, or it may be from an old email. Nothing has been changed.",
        "invalid_contact": "To unsubscribe, reply to any of our emails and ask us to.",
        "invalid_contact_email": "To unsubscribe, write to {email} and ask us to.",
        "not_found_heading": "Page not found",
        "not_found_body": "There is no page at this address.",
        "error_heading": "Something went wrong",
        "error_body": "Nothing has been changed. Please try again in a few minutes.",
        "too_large_heading": "Request too large",
        "too_large_body": "Nothing has been changed.",
        "unsure_heading": "Nothing has been changed",
        "unsure_body": "Use the button on the unsubscribe page.",
        "this_list": "us",
    },
    "cy": {
        "lang_tag": "cy",
        "other_language": "English",
        "title": "Dad-danysgrifio",
        "confirm_heading": "Dad-danysgrifio o negeseuon e-bost gan {publisher}?",
        "confirm_body": "Pwyswch y botwm i roi'r gorau i anfon y negeseuon hyn at {address}.",
        "confirm_button": "Dad-danysgrifio",
        "done_heading": "Rydych wedi dad-danysgrifio",
        "done_body": "Ni fydd negeseuon e-bost gan {publisher} yn cael eu hanfon at "
        "{address} mwyach.",
        "mistake_heading": "Wedi dad-danysgrifio drwy gamgymeriad?",
        "resubscribe_button": "Tanysgrifio eto",
        "resubscribed_heading": "Rydych wedi tanysgrifio eto",
        "resubscribed_body": "Bydd negeseuon e-bost gan {publisher} yn cael eu hanfon "
        "at {address} eto.",
        "invalid_heading": "Nid yw'r ddolen hon yn gweithio",
        "invalid_body": "Nid oedd modd i ni wirio'r ddolen hon. Efallai iddi gael ei "
        "thorri wrth ei chopïo, neu efallai ei bod o hen neges e-bost. Nid oes dim "
        "wedi newid.",
        "invalid_contact": "I ddad-danysgrifio, atebwch unrhyw un o'n negeseuon e-bost "
        "a gofyn i ni.",
        "invalid_contact_email": "I ddad-danysgrifio, ysgrifennwch at {email} a gofyn i ni.",
        "not_found_heading": "Heb ddod o hyd i'r dudalen",
        "not_found_body": "Nid oes tudalen yn y cyfeiriad hwn.",
        "error_heading": "Aeth rhywbeth o'i le",
        "error_body": "Nid oes dim wedi newid. Rhowch gynnig arall arni ymhen ychydig "
        "funudau.",
        "too_large_heading": "Mae'r cais yn rhy fawr",
        "too_large_body": "Nid oes dim wedi newid.",
        "unsure_heading": "Nid oes dim wedi newid",
        "unsure_body": "Defnyddiwch y botwm ar y dudalen dad-danysgrifio.",
        "this_list": "ni",
    },
}
"""The pages' words by language."""


def choose_language(asked: str | None, accept_language: str) -> str:
    """The page's language: ``?lang=`` if it is one of :data:`LANGUAGES`, else the
    first of them the browser's ``Accept-Language`` names, else English.

    >>> choose_language(None, "cy-GB,cy;q=0.9,en;q=0.8")
    'cy'
    >>> choose_language("en", "cy")
    'en'
    """
    if asked in LANGUAGES:
        return asked
    ranked = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, index, tag.strip().split("-")[0].casefold()))
    for weight, _, language in sorted(ranked):
        if language in LANGUAGES and weight < 0:
            return language
    return LANGUAGES[0]
