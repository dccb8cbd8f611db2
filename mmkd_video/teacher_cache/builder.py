"""Run a distiller's teacher over a dataset once and write its cache."""
import time
from typing import Optional

import torch
from mmengine.dataset import pseudo_collate
from mmengine.logging import print_log
from torch.utils.data import DataLoader

from .cache import TeacherCacheWriter
from .dataset import check_deterministic, dataset_fingerprint


def build_teacher_cache(distiller, dataset, pipeline_cfg: list,
                        cache_dir: str, batch_size: int = 8,
                        num_workers: int = 0,
                        device: Optional[str] = None) -> dict:
    """Write the teacher records of every sample of ``dataset``.

    The clips go through the distiller's data preprocessor in eval mode (no
    batch augmentation) and :meth:`VideoDistiller.run_teacher`, in dataset
    order, and are stored by index with :class:`TeacherCacheWriter`.

    Args:
        distiller (VideoDistiller): With a teacher and teacher recorders.
        dataset (BaseDataset): The unwrapped training dataset.
        pipeline_cfg (list[dict]): Its pipeline config (fingerprinted).
        cache_dir (str): Output folder.
        batch_size (int): Clips per teacher forward. Defaults to 8.
        num_workers (int): Dataloader workers. Defaults to 0.
        device (str, optional): Run the teacher here (default: where the
            distiller is).

    Returns:
        dict: The cache's ``meta.json`` content.
    """
    if distiller.teacher is None or not distiller.teacher_records.names():
        raise ValueError('the config has no teacher or no teacher_recorders: '
                         'there is nothing to cache')
    check_deterministic(dataset)
    if device is not None:
        distiller = distiller.to(device)
    distiller.eval()
    writer = TeacherCacheWriter(
        cache_dir, len(dataset), distiller.teacher_records.recorders,
        distiller.teacher, dataset_fingerprint(dataset, pipeline_cfg))
    # sequential order: batch k holds samples [k * batch_size, ...)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False,
                        num_workers=num_workers, collate_fn=pseudo_collate)
    start, done = time.time(), 0
    with torch.no_grad():
        for batch in loader:
            data = distiller.data_preprocessor(batch, False)
            records = distiller.run_teacher(data['inputs'],
                                            data['data_samples'])
            n = len(data['data_samples'])
            writer.write(range(done, done + n), records)
            done += n
    meta = writer.close()
    print_log(f'teacher cache: {done} samples, records '
              f"{ {k: v['shape'] for k, v in meta['records'].items()} } "
              f'in {time.time() - start:.1f} s -> {cache_dir}',
              logger='current')
    return meta
