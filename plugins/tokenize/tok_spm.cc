// tok_spm.cc -- SentencePiece through its own library (the reference), so the
// ids are spm_encode's by construction.  Every call into the library is inside
// try/catch: no C++ exception crosses into C.
#include "tok_spm.h"

#include <cstdio>
#include <string>
#include <vector>

#include <sentencepiece_processor.h>

struct tk_spm {
    sentencepiece::SentencePieceProcessor sp;
};

extern "C" tk_spm *tk_spm_load(const char *data, size_t len, const char *name, char *err, size_t errlen)
{
    tk_spm *s = nullptr;
    try {
        s = new tk_spm;
        auto st = s->sp.LoadFromSerializedProto(absl::string_view(data, len));
        if (!st.ok()) {
            std::snprintf(err, errlen, "%s: not a valid SentencePiece .model: %s", name, st.ToString().c_str());
            delete s;
            return nullptr;
        }
        if (s->sp.GetPieceSize() <= 0) {
            std::snprintf(err, errlen, "%s: a SentencePiece .model with no pieces", name);
            delete s;
            return nullptr;
        }
        return s;
    } catch (const std::exception &e) {
        std::snprintf(err, errlen, "%s: cannot load the SentencePiece .model: %s", name, e.what());
    } catch (...) {
        std::snprintf(err, errlen, "%s: cannot load the SentencePiece .model", name);
    }
    delete s;
    return nullptr;
}

extern "C" void tk_spm_free(tk_spm *s) { delete s; }

extern "C" uint32_t tk_spm_size(const tk_spm *s)
{
    try {
        return (uint32_t)s->sp.GetPieceSize();
    } catch (...) {
        return 0;
    }
}

extern "C" int64_t tk_spm_piece_id(const tk_spm *s, const char *piece)
{
    try {
        // PieceToId answers unk's id for an unknown piece: check the name back.
        int id = s->sp.PieceToId(piece);
        if (id < 0 || s->sp.IdToPiece(id) != piece)
            return -1;
        return id;
    } catch (...) {
        return -1;
    }
}

extern "C" int tk_spm_encode(const tk_spm *s, const char *text, size_t len, tk_ids *out)
{
    try {
        std::vector<int> ids;
        if (!s->sp.Encode(absl::string_view(text, len), &ids).ok())
            return -1;
        for (int id : ids) {
            if (id < 0)
                return -1;
            tk_ids_push(out, (uint32_t)id);
        }
        return 0;
    } catch (...) {
        return -1;
    }
}
