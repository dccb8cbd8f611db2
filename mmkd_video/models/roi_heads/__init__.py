from .genkd_roi_attention import GenKDRoIAttention

__all__ = ['GenKDRoIAttention']
