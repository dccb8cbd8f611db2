"""Export the student of a distiller checkpoint file (tools/export_student.py)."""
import os.path as osp

from mmkd_video.utils import load_checkpoint_file, save_student_checkpoint


def export_student(checkpoint_file: str, out_file: str,
                   drop_prefixes: tuple = ()) -> str:
    """Export the student of a distiller checkpoint file."""
    if not osp.isfile(checkpoint_file):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint_file!r}')
    ckpt = load_checkpoint_file(checkpoint_file, map_location='cpu',
                                role='distiller checkpoint to export')
    state = ckpt.get('state_dict', ckpt)
    meta = dict(ckpt.get('meta', {}))
    meta['exported_from'] = osp.abspath(checkpoint_file)
    return save_student_checkpoint(state, out_file, meta, drop_prefixes)
