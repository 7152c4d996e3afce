"""The data errors: each says what is wrong and what to do."""


class DatasetError(RuntimeError):
    """Base class of the data errors below."""


class UnknownDatasetError(DatasetError, KeyError):
    def __str__(self):  # KeyError would print the message inside quotes
        return self.args[0]


class DataNotFoundError(DatasetError, FileNotFoundError):
    pass


class ChecksumError(DatasetError, ValueError):
    pass
