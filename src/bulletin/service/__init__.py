"""The unsubscribe service: the one-click endpoint, the confirmation page, the sync.

An ASGI application (:class:`~bulletin.service.app.UnsubscribeApp`) that
receives the unsubscribe links bulletin puts in each message, keeps who
unsubscribed in SQLite or PostgreSQL (:mod:`bulletin.service.storage`), and
hands the list to ``bulletin suppress sync``. ``bulletin serve`` runs it
under uvicorn; it needs the ``server`` extra (``pip install "bulletin[server]"``).
"""

__all__: list[str] = []
