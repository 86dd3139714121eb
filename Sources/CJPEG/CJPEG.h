// libjpeg(-turbo), as the system provides it (`pkg-config libjpeg`). jpeglib.h needs FILE and size_t first.
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
