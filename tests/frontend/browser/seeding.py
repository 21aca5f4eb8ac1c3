"""Code shared by the browser tests' seed scripts, which run in a live instance's shell."""

from __future__ import annotations

# `post(actor, text, image=None, **fields)`: post through the actions, with a picture of
# one colour when `image` is an RGB triple. The script that includes it imports io,
# dataclasses.replace, SimpleUploadedFile, PIL's Image and the status and media actions.
POST = """
def post(actor, text, image=None, **fields):
    draft = check_create_status(actor, text=text, **fields)
    if image is not None:
        buffer = io.BytesIO()
        Image.new("RGB", (320, 200), image).save(buffer, format="PNG")
        upload = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
        checked = check_upload_media(actor, upload, size=len(buffer.getvalue()), description="A garden bed")
        draft = replace(draft, media=[do_create_media(actor, checked)])
    return do_create_status(actor, draft)
"""
