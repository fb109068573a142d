"""The reporter's JSON API (/api/v1/): the same service layer and forms as the web pages.

Mobile apps and integrations use it; docs/api.md explains the choices, and the
OpenAPI document (openapi.py, served at /api/v1/openapi.json) describes every
endpoint, schema and error code.
"""
