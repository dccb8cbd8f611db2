"""Child process of :mod:`mmkd_video.datasets.video_probe`.

Run as a script (``python _decode_child.py DECODER LIST START``), not
imported: it must start fast and must not touch torch, so only the standard
library is imported at the top and the decoder library inside its function.
It decodes every frame of each video listed in the file ``LIST`` (one path a
line) from line ``START`` on, opening it the way mmaction2's ``*Init``
transform does, and reports on stdout, one line each, flushed:

    START <index>                  before touching the file
    OK <index> <frames>            every frame decoded, nothing logged
    FAIL <index> raised <error>    the decoder raised
    FAIL <index> logged damaged data: <log lines>
                                   FFmpeg logged errors while decoding

Decoding damaged data is undefined behaviour in the codec: depending on
memory layout the same file may crash the process or be decoded into garbage
after FFmpeg logs errors ("illegal dc vlc", "ac-tex damaged"); both count as
corrupt, so the verdict does not depend on luck.

A native crash (SIGSEGV in the codec) kills this process after ``START``;
the parent then knows which file did it and restarts after it.
"""
import importlib
import io
import os
import re
import sys
import tempfile

_CHUNK = 16  # frames per get_batch: bounded memory for long videos
_MODULES = dict(decord='decord', opencv='cv2', pyav='av')
# An FFmpeg log line ("[mpeg4 @ 0x55d7...] illegal dc vlc") reporting damage.
_LIBAV_LINE = re.compile(r'^\[[^\]]+ @ 0x[0-9a-f]+\] (.*)$')
_DAMAGE = ('error', 'illegal', 'damaged', 'corrupt', 'conceal', 'invalid',
           'missing', 'overread', 'truncat', 'out of range')


def _read_bytes(path: str) -> io.BytesIO:
    with open(path, 'rb') as f:
        return io.BytesIO(f.read())


def decode_decord(path: str) -> int:
    """As DecordInit (BytesIO, num_threads=1) + DecordDecode (get_batch)."""
    import decord
    reader = decord.VideoReader(_read_bytes(path), num_threads=1)
    total = len(reader)
    for start in range(0, total, _CHUNK):
        reader.get_batch(list(range(start, min(total, start + _CHUNK)))
                         ).asnumpy()
    return total


def decode_opencv(path: str) -> int:
    """As OpenCVInit (mmcv.VideoReader = cv2.VideoCapture) + OpenCVDecode.

    OpenCVDecode reads the indices ``[0, CAP_PROP_FRAME_COUNT)``; a file
    whose header promises more frames than it holds fails there.
    """
    import cv2
    capture = cv2.VideoCapture(path)
    try:
        if not capture.isOpened():
            raise OSError('cv2.VideoCapture cannot open it')
        total = int(round(capture.get(cv2.CAP_PROP_FRAME_COUNT)))
        decoded = 0
        while capture.grab():
            ok, _ = capture.retrieve()
            if not ok:
                break
            decoded += 1
        return _checked_count(total, decoded, 'OpenCVInit')
    finally:
        capture.release()


def decode_pyav(path: str) -> int:
    """As PyAVInit (av.open on BytesIO) + PyAVDecode (to_rgb().to_ndarray).

    PyAVDecode indexes the frames it decoded with indices sampled from
    ``streams.video[0].frames``; fewer frames than that fail there.
    """
    import av
    container = av.open(_read_bytes(path))
    try:
        total = container.streams.video[0].frames  # PyAVInit's total_frames
        decoded = 0
        for frame in container.decode(video=0):
            frame.to_rgb().to_ndarray()
            decoded += 1
        return _checked_count(total, decoded, 'PyAVInit')
    finally:
        container.close()


def _checked_count(total: int, decoded: int, init: str) -> int:
    """``decoded`` if the header's frame count (what ``init`` takes as
    total_frames) is usable, else one error saying why."""
    if decoded < total:
        raise ValueError(f'header says {total} frames, only {decoded} '
                         'decode')
    if total == 0 and decoded:
        # e.g. Matroska/WebM: total_frames=0 and SampleFrames then draws
        # no valid index
        raise ValueError(
            f'the container stores no frame count, which {init} takes as '
            'total_frames; read it with another decoder (DecordInit), or '
            'remux it to .mp4 (ffmpeg -i IN -c copy OUT.mp4)')
    return decoded


DECODE = dict(decord=decode_decord, opencv=decode_opencv, pyav=decode_pyav)


def damage_reported(log: str) -> str:
    """The FFmpeg log lines (the codec's stderr) that report damaged data."""
    found = []
    for line in log.splitlines():
        match = _LIBAV_LINE.match(line.strip())
        if match and any(word in match.group(1).lower() for word in _DAMAGE):
            found.append(line.strip())
    return '; '.join(found[:3])


def main(argv) -> int:
    decoder, list_file, start = argv[1], argv[2], int(argv[3])
    decode = DECODE[decoder]
    importlib.import_module(_MODULES[decoder])  # setup errors: before START
    with open(list_file, encoding='utf-8') as f:
        paths = f.read().split('\n')[:-1]
    # the codec logs to file descriptor 2: catch it per file
    log = tempfile.TemporaryFile()
    os.dup2(log.fileno(), 2)
    out = sys.stdout
    for index in range(start, len(paths)):
        out.write(f'START {index}\n')
        out.flush()
        log.seek(0)
        log.truncate()
        try:
            frames = decode(paths[index])
            if frames == 0:
                raise ValueError('no video frame decodes')
        except Exception as exc:  # reported, the parent decides
            text = ' '.join(f'raised {type(exc).__name__}: {exc}'.split())
            out.write(f'FAIL {index} {text[:500]}\n')
        else:
            log.seek(0)
            damage = damage_reported(log.read().decode(errors='replace'))
            out.write(f'FAIL {index} logged damaged data: {damage[:500]}\n'
                      if damage else f'OK {index} {frames}\n')
        out.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
