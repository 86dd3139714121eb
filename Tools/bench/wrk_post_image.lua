-- wrk script for `detect serve`: POSTs the JPEG named by $IMAGE to the URL given to wrk (see docs/PERFORMANCE.md).
local f = io.open(os.getenv("IMAGE"), "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "image/jpeg"
