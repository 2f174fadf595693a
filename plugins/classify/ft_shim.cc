// ft_shim.cc -- wraps fastText 0.9.2's C++ API in a few C functions.
//
// Loading: fastText's loader trusts the file, so ftcheck() reads the whole
// layout first, and every call into the library is inside try/catch.  The
// library calls exit() only from its command-line functions (main, parseArgs,
// quantize, predict ...), none of which is used here.
#include "ft_shim.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <istream>
#include <streambuf>
#include <string>
#include <vector>

#include <fasttext/fasttext.h>

#include "ftcheck.h"

struct ft_model {
    fasttext::FastText ft;
    std::shared_ptr<const fasttext::Dictionary> dict;
    std::vector<std::string> labels;
    ftcheck_info info;
};

// A read-only stream over bytes the caller owns: no copy of the line.
struct membuf : std::streambuf {
    membuf(const char *p, size_t n)
    {
        char *b = const_cast<char *>(p); // get area only: never written
        setg(b, b, b + n);
    }
};

static int check_file(const char *path, ftcheck_info *info, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        std::snprintf(err, errlen, "cannot open: %s", std::strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        std::snprintf(err, errlen, "%s", S_ISDIR(st.st_mode) ? "is a folder, not a model file" : "not a regular file");
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    if (n == 0) {
        std::snprintf(err, errlen, "empty file, not a fastText model");
        close(fd);
        return -1;
    }
    void *p = mmap(nullptr, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        std::snprintf(err, errlen, "cannot map: %s", std::strerror(errno));
        return -1;
    }
    int rc = ftcheck(static_cast<const unsigned char *>(p), n, info, err, errlen);
    munmap(p, n);
    return rc;
}

extern "C" ft_model *ft_model_load(const char *path, char *err, size_t errlen)
{
    ft_model *m = nullptr;
    try {
        ftcheck_info info;
        if (check_file(path, &info, err, errlen) < 0)
            return nullptr;
        m = new ft_model();
        m->info = info;
        m->ft.loadModel(std::string(path));
        m->dict = m->ft.getDictionary();
        if (m->dict->nlabels() != info.nlabels || m->ft.getDimension() != info.dim) {
            std::snprintf(err, errlen, "changed while it was being read");
            delete m;
            return nullptr;
        }
        for (int i = 0; i < info.nlabels; i++)
            m->labels.push_back(m->dict->getLabel(i));
        return m;
    } catch (const std::exception &e) {
        std::snprintf(err, errlen, "fastText cannot load it: %s", e.what());
    } catch (...) {
        std::snprintf(err, errlen, "fastText cannot load it");
    }
    delete m;
    return nullptr;
}

extern "C" void ft_model_free(ft_model *m) { delete m; }
extern "C" int ft_model_nlabels(const ft_model *m) { return (int)m->labels.size(); }
extern "C" const char *ft_model_label(const ft_model *m, int i) { return m->labels[(size_t)i].c_str(); }
extern "C" int ft_model_dim(const ft_model *m) { return m->info.dim; }
extern "C" int ft_model_quantized(const ft_model *m) { return m->info.quantized; }

// What FastText::predictLine() does, minus the label strings it builds:
// the same tokens (Dictionary::getLine), the same predict(), the same exp().
extern "C" int ft_predict(const ft_model *m, const char *line, size_t len, int k, ft_pred *out)
{
    try {
        membuf buf(line, len);
        std::istream in(&buf);
        std::vector<int32_t> words, labels;
        m->dict->getLine(in, words, labels);
        fasttext::Predictions preds;
        m->ft.predict(k, words, preds, 0.0);
        int n = 0;
        for (const auto &p : preds) {
            if (n == k)
                break;
            out[n].prob = std::exp(p.first);
            out[n].label = p.second;
            n++;
        }
        return n;
    } catch (...) {
        return -1;
    }
}
