"""Run a two-stage detector teacher on the student's RoIs."""
from typing import Dict, List

import torch
import torch.nn as nn

from mmkd_video.registry import MODELS


@MODELS.register_module()
class RoITeacherForward:
    """Teacher forward of a two-stage action detector on the student's RoIs.

    In loss mode an mmaction2 ``AVARoIHead`` samples its RoIs at random
    (assigner + sampler, ground-truth boxes added), so a teacher run on its
    own would see other boxes than the student and per-RoI features or
    scores could not be compared. Selected by
    ``VideoDistiller(teacher_forward=dict(type='RoITeacherForward',
    rois='student.rois'))``, the distiller runs the student first and then
    calls this with the student's records; the teacher runs

    .. code-block:: text

        x = teacher.extract_feat(inputs)                  # [B, C, T, H, W]
        roi_feats, global_feat = roi_head.bbox_roi_extractor(x, rois)
        roi_feats = roi_head.shared_head(roi_feats, ...)  # when it has one
        cls_score = roi_head.bbox_head(roi_feats)          # [N_roi, K]

    i.e. mmaction2's ``AVARoIHead`` box branch, composed from the head's
    public submodules, on ``rois`` (``[N_roi, 5]``: batch index, x1, y1, x2,
    y2 in input pixels), recorded on the student with
    ``dict(module='roi_head.bbox_roi_extractor', source='input', index=1)``.
    Teacher recorders on any of these modules then hold tensors whose row
    ``i`` belongs to the same box as the student's row ``i``.

    Args:
        rois (str): Reference to the student's recorded RoIs,
            ``'student.<recorder>'``. Defaults to ``'student.rois'``.
    """

    def __init__(self, rois: str = 'student.rois') -> None:
        head, _, name = rois.partition('.')
        if head != 'student' or not name:
            raise ValueError(f"RoITeacherForward: rois must reference a "
                             f"student recorder ('student.<name>'), but got "
                             f'{rois!r}')
        self.rois = rois
        self.recorder = name

    @property
    def references(self) -> List[str]:
        """The student references this forward reads (checked at init)."""
        return [self.rois]

    def __call__(self, teacher: nn.Module, inputs: torch.Tensor,
                 data_samples: list, student_records: Dict[str, object]
                 ) -> torch.Tensor:
        """Run ``teacher`` on the student's RoIs.

        Args:
            teacher (nn.Module): A two-stage detector (mmdet
                ``TwoStageDetector`` such as mmaction2's ``FastRCNN``) with
                an RoI head holding ``bbox_roi_extractor`` and ``bbox_head``.
            inputs (torch.Tensor): Preprocessed clips ``[B, C, T, H, W]``.
            data_samples (list): The batch's data samples (image metas for
                a shared head).
            student_records (dict): The student's records of this iteration.

        Returns:
            torch.Tensor: The teacher's per-RoI scores ``[N_roi, K]``.
        """
        rois = student_records[self.recorder]
        if not isinstance(rois, torch.Tensor) or rois.dim() != 2 \
                or rois.shape[1] != 5:
            raise ValueError(
                f'RoITeacherForward: {self.rois!r} must be the RoIs '
                f'[N, 5] the student\'s bbox_roi_extractor received, but got '
                f'{getattr(rois, "shape", type(rois).__name__)}. Record them '
                "with dict(module='roi_head.bbox_roi_extractor', "
                "source='input', index=1).")
        roi_head = getattr(teacher, 'roi_head', None)
        if roi_head is None or not hasattr(roi_head, 'bbox_roi_extractor'):
            raise TypeError(
                'RoITeacherForward needs a two-stage detector teacher with '
                '`roi_head.bbox_roi_extractor` (e.g. mmaction2 FastRCNN), '
                f'but got {type(teacher).__name__}')
        x = teacher.extract_feat(inputs)
        roi_feats, global_feat = roi_head.bbox_roi_extractor(x, rois)
        if roi_head.with_shared_head:
            metas = [sample.metainfo for sample in data_samples]
            roi_feats = roi_head.shared_head(
                roi_feats, feat=global_feat, rois=rois, img_metas=metas)
        return roi_head.bbox_head(roi_feats)  # [N_roi, K]
