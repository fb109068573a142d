"""The ASGI application with static files, as the chat's live browser test serves it.

An installation serves /static/ from its front web server; a test has none.
"""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from meldpunt.asgi import application as site

application = ASGIStaticFilesHandler(site)
