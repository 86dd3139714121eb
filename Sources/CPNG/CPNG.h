// libpng, as the system provides it (`pkg-config libpng`).
#include <png.h>
