"""What every HTTP request passes through before a page or the API reads it: body size classes
and bounded decoding (bodies.py), shared by the page shell (ui) and the API shell (api)."""
