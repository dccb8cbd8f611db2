from .genkd_blocks import attention_spread
from .generative_attention_head import GenerativeAttentionHead

__all__ = ['GenerativeAttentionHead', 'attention_spread']
