"""Fail at start, with one clear line, when the work dir cannot be written."""
import os
import tempfile


def check_work_dir_writable(work_dir: str) -> None:
    """Create ``work_dir`` and write a file in it, or raise.

    Without this, a work dir under a read-only folder or below a file
    fails inside the Runner with a bare ``PermissionError`` or
    ``NotADirectoryError`` naming a log file.

    Raises:
        PermissionError: ``work_dir`` cannot be created or written, with
            the reason and the fix.
    """
    try:
        os.makedirs(work_dir, exist_ok=True)
        with tempfile.TemporaryFile(dir=work_dir):
            pass
    except OSError as error:
        raise PermissionError(
            f'the work dir {work_dir!r} cannot be written '
            f'({type(error).__name__}: {error.strerror or error}). Pass '
            '--work-dir with a folder you can write to.') from None
