"""Use cases in domain words: the only callers of the Maileon client.

Split by flow so each stays small: `account` (client factory, cached account definitions), `profile`
(read and save the profile page), `unsubscribe` (record, deliver, add reasons).
"""
