#pragma once
// The undo of every journal action vmrun knows. One place, so the supervisor's
// teardown and 'vmrun restore' after a crash do exactly the same thing.

#include "host/journal.h"

namespace vmrun {

Restorer make_restorer();

}  // namespace vmrun
