from .class_score_map import ClassScoreMap
from .conv_norm_connector import ConvNormConnector
from .resize_connector import ResizeConnector
from .sequential_connector import SequentialConnector

__all__ = ['ClassScoreMap', 'ConvNormConnector', 'ResizeConnector',
           'SequentialConnector']
