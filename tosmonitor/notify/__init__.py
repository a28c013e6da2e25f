"""Notifications: legal alerts, weekly digests (HTML + text email, sent exactly once) and the Atom feed.

- :mod:`.mailconfig` validates the mail settings before anything is sent;
- :mod:`.content` gathers what a message says from the store;
- :mod:`.build` renders ``templates/email/`` into ``multipart/alternative`` messages;
- :mod:`.smtp` sends one message; :mod:`.outbox` records and delivers each email exactly once;
- :mod:`.feed` writes the Atom feed; :mod:`.i18n` holds the Finnish and English strings.
"""
