"""BNN training as a binary quadratic model: the exact encoding used by :class:`qhyper.trainers.QUBO`."""
from .bnn import BNNQubo, check_encodable, input_grid
from .builder import BQMBuilder, slack_coefficients

__all__ = ["BNNQubo", "BQMBuilder", "check_encodable", "input_grid", "slack_coefficients"]
