"""Decode videos once in child processes, so a codec crash cannot kill a run.

A truncated real-codec video (e.g. an XVID ``.avi`` cut mid-file) can make
decord, OpenCV or PyAV crash with SIGSEGV in native code. In the main process
that ends the run (exit 139); in a DataLoader worker it ends it as "worker
killed by signal". No Python ``try`` can catch that, and nothing names the
file. :func:`probe_videos` decodes every frame of each video in a child
process (``_decode_child.py``, opened the way the pipeline's ``DecordInit``,
``OpenCVInit`` or ``PyAVInit`` opens it). A crash ends the child only. The
parent knows which file the child was on, records why, and starts a new
child after that file. So the checked datasets find such files when they
load, before any sample is decoded in the run.

Cost: one full decode per file, in ``workers`` children at once, and one
child start per crash. Results are cached by (decoder, absolute path, size,
mtime): in memory, so a dataset built again in the same process (val after
train, the DataLoader workers' copy) decodes nothing; and on disk
(``$MMKD_CACHE_DIR`` or ``~/.cache/mmkd_video``), so a restarted run decodes
only new or changed files.
"""
import json
import os
import os.path as osp
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Dict, Iterable, List, Optional, Sequence

# mmaction2's video-opening transforms and the decoder each one uses.
DECODERS = {'DecordInit': 'decord', 'OpenCVInit': 'opencv',
            'PyAVInit': 'pyav'}
_CHILD = osp.join(osp.dirname(osp.abspath(__file__)), '_decode_child.py')
_CACHE_FORMAT = 1
# (decoder, abspath, size, mtime_ns) -> None (decodes) or the reason
_MEMORY: Dict[tuple, Optional[str]] = {}
_LOCK = threading.Lock()


def decoder_of(transforms: Iterable) -> Optional[str]:
    """The decoder a pipeline opens videos with, or None if it opens none.

    Args:
        transforms (Iterable): Built transforms or config dicts; wrappers
            with a ``transforms`` attribute/key (``ReportFileErrors``) are
            searched too.

    Returns:
        str | None: ``'decord'``, ``'opencv'`` or ``'pyav'``.
    """
    for transform in transforms:
        if isinstance(transform, dict):
            name, inner = transform.get('type'), transform.get('transforms')
        else:
            name = type(transform).__name__
            inner = getattr(transform, 'transforms', None)
        name = str(name).split('.')[-1]
        if name in DECODERS:
            return DECODERS[name]
        if inner:
            found = decoder_of(inner)
            if found:
                return found
    return None


def default_cache_file() -> str:
    """``$MMKD_CACHE_DIR/video_probe.json``; the folder defaults to
    ``~/.cache/mmkd_video``."""
    root = os.environ.get('MMKD_CACHE_DIR') or osp.join(
        os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache'),
        'mmkd_video')
    return osp.join(root, 'video_probe.json')


def _stat_key(decoder: str, path: str) -> tuple:
    stat = os.stat(path)
    return (decoder, osp.abspath(path), stat.st_size, stat.st_mtime_ns)


def _load_cache(cache_file: str) -> Dict[str, list]:
    try:
        with open(cache_file, encoding='utf-8') as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: probe again
    if not isinstance(data, dict) or data.get('format') != _CACHE_FORMAT:
        return {}
    entries = data.get('entries')
    return entries if isinstance(entries, dict) else {}


def _save_cache(cache_file: str, new: Dict[tuple, Optional[str]]) -> None:
    """Merge ``new`` into the cache file, dropping entries of gone files."""
    entries = _load_cache(cache_file)
    for (decoder, path, size, mtime), reason in new.items():
        entries[f'{decoder}:{path}'] = [size, mtime, reason]
    entries = {k: v for k, v in entries.items()
               if osp.exists(k.split(':', 1)[1])}
    try:
        os.makedirs(osp.dirname(cache_file) or '.', exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=osp.dirname(cache_file) or '.',
                                   prefix='.video_probe.')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            json.dump(dict(format=_CACHE_FORMAT, entries=entries), f)
        os.replace(tmp, cache_file)  # readers never see half a file
    except OSError:
        pass  # a read-only home only costs a new probe next time


def _crash_reason(decoder: str, returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f'signal {-returncode}'
        return f'{decoder} crashed the decoding process ({name})'
    return f'{decoder} ended the decoding process (exit code {returncode})'


def _probe_serial(paths: Sequence[str], decoder: str,
                  timeout: float) -> List[Optional[str]]:
    """Probe ``paths`` in one child at a time, restarting after a crash."""
    reasons: List[Optional[str]] = [None] * len(paths)
    with tempfile.TemporaryDirectory(prefix='mmkd_probe_') as tmp:
        list_file = osp.join(tmp, 'videos.txt')
        with open(list_file, 'w', encoding='utf-8') as f:
            f.writelines(path + '\n' for path in paths)
        start = 0
        while start < len(paths):
            with open(osp.join(tmp, 'stderr.txt'), 'w+b') as stderr:
                current, timed_out, returncode = _run_child(
                    decoder, list_file, start, timeout, reasons, stderr)
                if current is None:
                    if returncode != 0:  # died before any file: setup error
                        stderr.seek(0)
                        tail = stderr.read().decode(errors='replace')
                        raise RuntimeError(
                            f'the {decoder} video probe could not start '
                            f'(exit code {returncode}): {tail[-1500:]}')
                    break
            reasons[current] = (
                f'{decoder} did not finish decoding it within {timeout:g} s'
                if timed_out else _crash_reason(decoder, returncode))
            start = current + 1
    return reasons


def _run_child(decoder, list_file, start, timeout, reasons, stderr):
    """One child run; returns (file it died on or None, timed out, rc)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    proc = subprocess.Popen(
        [sys.executable, _CHILD, decoder, list_file, str(start)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
        env=env)
    current, timed_out, pending = None, False, b''
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while True:
            # unbuffered reads: a buffered readline could hide whole lines
            # from select and stall until the timeout
            if not selector.select(timeout):
                timed_out = True
                proc.kill()
                break
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b'\n')
            for line in lines:
                kind, index, *rest = line.decode(errors='replace').split(
                    ' ', 2)
                if kind == 'START':
                    current = int(index)
                    continue
                current = None
                if kind == 'FAIL':
                    reasons[int(index)] = f'{decoder} {rest[0]}'
    proc.stdout.close()
    return current, timed_out, proc.wait()


def probe_videos(paths: Sequence[str], decoder: str = 'decord',
                 cache_file: Optional[str] = 'auto',
                 workers: Optional[int] = None,
                 timeout: float = 300.) -> Dict[str, Optional[str]]:
    """Decode every frame of each video in child processes.

    Args:
        paths (Sequence[str]): Local video files (that exist).
        decoder (str): ``'decord'``, ``'opencv'`` or ``'pyav'``, as the
            pipeline's ``DecordInit``/``OpenCVInit``/``PyAVInit``.
            Defaults to ``'decord'``.
        cache_file (str | None): JSON cache of results; ``'auto'`` uses
            :func:`default_cache_file`, None keeps the cache in memory only.
        workers (int | None): Children decoding at once. Defaults to
            ``min(4, os.cpu_count())``.
        timeout (float): Seconds one file may take before it counts as a
            hung decoder. Defaults to 300.

    Returns:
        dict[str, str | None]: For each path, None when every frame decodes,
        else why not (the decoder's error, or the signal that killed it).
    """
    if decoder not in DECODERS.values():
        raise ValueError(f'unknown video decoder {decoder!r}; use one of '
                         f'{sorted(DECODERS.values())}')
    if cache_file == 'auto':
        cache_file = default_cache_file()
    disk = _load_cache(cache_file) if cache_file else {}
    results: Dict[str, Optional[str]] = {}
    todo: Dict[str, tuple] = {}
    for path in dict.fromkeys(paths):
        if '\n' in path:
            results[path] = None  # cannot be listed to the child; not probed
            continue
        key = _stat_key(decoder, path)
        with _LOCK:
            known = key in _MEMORY
            reason = _MEMORY.get(key)
        if not known:
            size_mtime_reason = disk.get(f'{decoder}:{key[1]}')
            if size_mtime_reason and size_mtime_reason[:2] == list(key[2:]):
                known, reason = True, size_mtime_reason[2]
                with _LOCK:
                    _MEMORY[key] = reason
        if known:
            results[path] = reason
        else:
            todo[path] = key
    if todo:
        results.update(_probe_new(todo, decoder, cache_file, workers,
                                  timeout))
    return {path: results[path] for path in dict.fromkeys(paths)}


def _probe_new(todo: Dict[str, tuple], decoder: str,
               cache_file: Optional[str], workers: Optional[int],
               timeout: float) -> Dict[str, Optional[str]]:
    """Probe the uncached ``todo`` (path -> cache key) in parallel."""
    results = {}
    pending = list(todo)
    workers = max(1, min(workers or min(4, os.cpu_count() or 1),
                         len(pending)))
    chunks = [pending[i::workers] for i in range(workers)]
    found: List[List[Optional[str]]] = [[] for _ in chunks]
    errors: List[BaseException] = []

    def run(i):
        try:
            found[i] = _probe_serial(chunks[i], decoder, timeout)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, ), daemon=True)
               for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    new = {}
    for chunk, reasons in zip(chunks, found):
        for path, reason in zip(chunk, reasons):
            results[path] = reason
            new[todo[path]] = reason
    with _LOCK:
        _MEMORY.update(new)
    if cache_file:
        # a hung decoder may be a busy machine: try it again next run
        _save_cache(cache_file, {
            key: reason for key, reason in new.items()
            if not (reason and 'did not finish' in reason)})
    return results
