"""Export the student of a VideoDistiller checkpoint as a plain mmaction2 one.

Usage:
    python tools/export_student.py work_dirs/x/epoch_10.pth student.pth
    python tools/export_student.py CKPT OUT --drop-prefix neck.

The output holds only ``state_dict`` and plain ``meta``; it loads with
mmaction2's ``init_recognizer(student_config, OUT)`` and its tools/test.py.
"""
import argparse

import mmkd_video  # noqa: F401  (weights-only allowlist for mmengine ckpts)
from mmkd_video.apis import export_student
from mmkd_video.utils import trust_checkpoints


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='distiller checkpoint (.pth)')
    parser.add_argument('out', help='output student checkpoint (.pth)')
    parser.add_argument('--drop-prefix', nargs='*', default=[],
                        help='student key prefixes to leave out, e.g. neck.')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load a trusted legacy checkpoint with full '
                        'pickle (weights_only=False: it can run code)')
    args = parser.parse_args()
    if args.trust_checkpoint:
        trust_checkpoints()
    out = export_student(args.checkpoint, args.out, tuple(args.drop_prefix))
    print(f'student checkpoint written to {out}')


if __name__ == '__main__':
    main()
