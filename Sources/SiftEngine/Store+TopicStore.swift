// The store plays the topics pipeline's TopicStore role: its methods already have the shapes the
// role asks for, so the conformance is all the wiring there is.

import SiftModel
import SiftStore
import SiftTopics

extension Store: TopicStore {}
