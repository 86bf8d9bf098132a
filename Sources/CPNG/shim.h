// libpng 1.6 (Debian: libpng-dev; include path from pkg-config).
#include <png.h>
