// FFmpeg's demuxing, decoding, encoding and pixel-conversion libraries, as the system provides
// them (`pkg-config libavformat libavcodec libswscale libavutil`).
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
