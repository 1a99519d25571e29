"""Upload handler that caps how much of an uploaded icon is kept in memory."""

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .icons import MAX_ICON_BYTES


class IconUploadHandler(FileUploadHandler):
    """Keep at most MAX_ICON_BYTES + 1 bytes of each file; read and drop the rest.

    DATA_UPLOAD_MAX_MEMORY_SIZE does not apply to files, so without this a
    20 MB "icon" would be buffered in full. The rest of the stream is still
    consumed, so the request completes and the other form fields are parsed;
    the form then refuses the file because `exceeded_limit` is set.
    """

    # One byte over the limit is enough to prove the file is too large.
    keep_bytes = MAX_ICON_BYTES + 1

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data, start):
        """Keep what still fits; returning nothing stops the chunk here, so no later handler buffers it."""
        room = self.keep_bytes - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])

    def file_complete(self, file_size):
        """Return the kept bytes; `size` is the true size the client sent."""
        self.buffer.seek(0)
        upload = InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        upload.exceeded_limit = file_size > MAX_ICON_BYTES
        return upload
