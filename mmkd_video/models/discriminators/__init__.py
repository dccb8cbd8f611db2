from .self_attention import SelfAttentionBlock
from .structkd_discriminator import StructKDDiscriminator

__all__ = ['SelfAttentionBlock', 'StructKDDiscriminator']
