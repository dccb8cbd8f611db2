"""Distillation losses; importing this package registers them in MODELS."""
from .at_loss import ATLoss
from .attention_distill_loss import AttentionDistillLoss
from .binary_pixel_wise_distill_loss import BinaryPixelWiseDistillLoss
from .cvae_loss import CVAELoss
from .feature_mse_loss import FeatureMSELoss
from .feature_reconstruction_loss import FeatureReconstructionLoss
from .generative_distill_loss import GenerativeDistillLoss
from .holistic_distill_loss import HolisticDistillLoss
from .kd_loss import KDLoss
from .pair_wise_distill_loss import PairWiseDistillLoss
from .pixel_wise_distill_loss import PixelWiseDistillLoss

__all__ = [
    'ATLoss', 'AttentionDistillLoss', 'BinaryPixelWiseDistillLoss',
    'CVAELoss', 'FeatureMSELoss', 'FeatureReconstructionLoss', 'GenerativeDistillLoss',
    'HolisticDistillLoss', 'KDLoss', 'PairWiseDistillLoss',
    'PixelWiseDistillLoss'
]
