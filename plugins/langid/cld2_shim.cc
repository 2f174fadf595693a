// cld2_shim.cc -- wraps CLD2's C++ API in one C function.
#include "cld2_shim.h"

#include <cstdio> // compact_lang_det.h uses FILE without including it

#include <cld2/internal/lang_script.h>
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

extern "C" int cld2_detect(const char *text, int len, cld2_result *out)
{
    try {
        CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
        CLD2::Language lang3[3];
        int percent3[3];
        double score3[3];
        int text_bytes = 0, valid_prefix = 0;
        bool reliable = false;
        CLD2::Language lang = CLD2::ExtDetectLanguageSummaryCheckUTF8(
            text, len, true, &hints, 0, lang3, percent3, score3, nullptr, &text_bytes, &reliable, &valid_prefix);
        std::snprintf(out->code, sizeof out->code, "%s", CLD2::LanguageCode(lang));
        out->percent = percent3[0];
        out->score = score3[0];
        out->reliable = reliable;
        return valid_prefix < len ? -1 : 0;
    } catch (...) {
        std::snprintf(out->code, sizeof out->code, "un");
        out->percent = 0;
        out->score = 0;
        out->reliable = 0;
        return -1;
    }
}
