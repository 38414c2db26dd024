// Copyright the Zircon-on-Linux project authors.
//
// <zircon/status.h>: status codes as text.

#ifndef ZIRCON_STATUS_H_
#define ZIRCON_STATUS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The name of a status code, e.g. "ZX_ERR_BAD_HANDLE", or "(UNKNOWN)". The string is static:
// never free it.
const char* zx_status_get_string(zx_status_t status);

__END_CDECLS

#endif  // ZIRCON_STATUS_H_
