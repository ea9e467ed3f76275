// The system SQLite from libsqlite3-dev, exposed to Swift as the CSQLite module (as GRDB does).
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro Swift cannot import: a cast of -1 to a destructor pointer.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }
