// The KV timeline page's parts, each a file of this directory embedded at build time
// (tinykv_embed_text in grading/check/CMakeLists.txt): page.html with the placeholders %TITLE%,
// %CSS%, %DATA% (the JSON the script draws) and %SCRIPT%, in that order, each once (filled by
// RenderTimelineHtml); timeline.css; timeline.js.
#pragma once

namespace tinykv::check {

extern const char kTimelinePage[];
extern const char kTimelineCss[];
extern const char kTimelineScript[];

}  // namespace tinykv::check
