from .genkd_attention_neck import GenKDAttentionNeck

__all__ = ['GenKDAttentionNeck']
