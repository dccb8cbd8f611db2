from .generative_attention_head import (GenerativeAttentionHead,
                                        attention_spread)

__all__ = ['GenerativeAttentionHead', 'attention_spread']
