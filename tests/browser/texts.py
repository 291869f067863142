"""What the recipient reads, per language: journeys assert the page says it in the language asked for."""

TEXT = {
    "de": {
        "profile": "Ihr Profil und Ihre Newsletter-Einstellungen",
        "saved": "Danke, Ihre Änderungen sind gespeichert.",
        "check_entries": "Bitte prüfen Sie Ihre Angaben",
        "unsubscribe": "Vom Newsletter abmelden",
        "unsubscribed": "Sie sind abgemeldet",
        "tell_us": "Verraten Sie uns, warum?",
        "thanks_for_answer": "Danke für Ihre Antwort",
        "link_invalid": "Dieser Link funktioniert nicht",
        "new_link_form": "Neuen persönlichen Link anfordern",
        "check_inbox": "Bitte sehen Sie in Ihr Postfach",
        "maileon_down": "Unser Newsletter-System ist gerade nicht erreichbar",
        "other_language": "English",
    },
    "en": {
        "profile": "Your profile and newsletter preferences",
        "saved": "Thank you, your changes are saved.",
        "check_entries": "Please check your entries",
        "unsubscribe": "Unsubscribe from the newsletter",
        "unsubscribed": "You are unsubscribed",
        "tell_us": "Would you tell us why?",
        "thanks_for_answer": "Thank you for your answer",
        "link_invalid": "This link does not work",
        "new_link_form": "Get a new personal link",
        "check_inbox": "Please check your inbox",
        "maileon_down": "We cannot reach our newsletter system right now",
        "other_language": "Deutsch",
    },
}
