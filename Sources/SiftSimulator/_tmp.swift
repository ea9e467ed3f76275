import SiftModel
