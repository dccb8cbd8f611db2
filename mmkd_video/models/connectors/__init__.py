from .conv_norm_connector import ConvNormConnector
from .resize_connector import ResizeConnector
from .sequential_connector import SequentialConnector

__all__ = ['ConvNormConnector', 'ResizeConnector', 'SequentialConnector']
