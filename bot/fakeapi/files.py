"""Files of the fake Bot API: upload storage, file_id reuse, getFile and downloads from base_file_url."""

from __future__ import annotations

import itertools
import mimetypes

from aiohttp import web

from bot.fakeapi.core import ServerCore
from bot.fakeapi.params import str_param
from bot.fakeapi.state import JSONDict, StoredFile, bad_request


class FilesApi(ServerCore):
    """Keeps the bytes behind every file_id so what the bot uploads or receives can be downloaded again."""

    def _init_state(self) -> None:
        """No files yet."""
        super()._init_state()
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)

    def _new_file(
        self, content: bytes, folder: str, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Store bytes under a fresh file_id and file_path."""
        n = next(self._file_counter)
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif folder == "photos":
            ext = ".jpg"
        stored = StoredFile(
            file_id=f"fake-{folder}-{n}",
            file_unique_id=f"uniq{n}",
            file_path=f"{folder}/file_{n}{ext}",
            content=content,
            mime_type=mime_type,
            file_name=file_name,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, full: StoredFile) -> list[JSONDict]:
        """Two PhotoSize dicts (thumbnail + full) like Telegram returns."""
        thumb = self._new_file(full.content, "photos")
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": 90,
                "height": 90,
                "file_size": len(thumb.content),
            },
            {
                "file_id": full.file_id,
                "file_unique_id": full.file_unique_id,
                "width": 800,
                "height": 600,
                "file_size": len(full.content),
            },
        ]

    @staticmethod
    def _document(stored: StoredFile) -> JSONDict:
        """Document dict for a stored file."""
        doc: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name is not None:
            doc["file_name"] = stored.file_name
        if stored.mime_type is not None:
            doc["mime_type"] = stored.mime_type
        return doc

    def _stored_upload(self, params: JSONDict, key: str, folder: str) -> StoredFile:
        """Resolve an upload / attach:// / file_id / URL parameter to stored bytes."""
        value = params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
        if isinstance(value, dict) and "content" in value:
            name = value.get("filename") or None
            mime = None
            if folder == "documents":
                mime = mimetypes.guess_type(name or "")[0] or value.get("content_type")
            return self._new_file(value["content"], folder, file_name=name, mime_type=mime)
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is not None:
                return known
            if value.startswith(("http://", "https://")):
                name = value.rsplit("/", 1)[-1] or None
                return self._new_file(b"", folder, file_name=name)
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {key} in the request")

    def _api_get_file(self, params: JSONDict) -> JSONDict:
        """File object whose file_path can be downloaded from base_file_url."""
        stored = self._files.get(str_param(params, "file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.as_file()

    def _download(self, file_path: str) -> web.Response:
        """Serve stored bytes at {base_file_url}{token}/{file_path}."""
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return super()._download(file_path)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")
