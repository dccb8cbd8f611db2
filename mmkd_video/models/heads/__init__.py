from .generative_attention_head import GenerativeAttentionHead

__all__ = ['GenerativeAttentionHead']
