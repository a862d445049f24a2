#include "ptx_module.h"

#include <cstring>
#include <cctype>
#include <cstdlib>
#include <sstream>
#include <deque>
#include <vector>

namespace ntr_emu {

namespace {

struct SharedVariable {
    std::string name;
    size_t bytes = 0;
    size_t align = 1;
};

// Width in bytes of a PTX type such as b8, u16, f32, s64.
size_t type_bytes(const std::string& type) {
    if (type.size() < 2 || std::strchr("bufs", type[0]) == nullptr) return 0;
    const int bits = std::atoi(type.c_str() + 1);
    return bits == 8 || bits == 16 || bits == 32 || bits == 64 ? (size_t)bits / 8 : 0;
}

std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::string word;
    for (char c : line) {
        if (c == ' ' || c == '\t' || c == ',' || c == ';') {
            if (!word.empty()) out.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.push_back(word);
    return out;
}

// `[.extern] .shared [.align A] .TYPE NAME[N][M];`; false when the line declares no shared variable.
bool parse_shared(const std::string& line, SharedVariable& var, bool& isExtern) {
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] != '.' || line.find(".shared") == std::string::npos) return false;
    const std::vector<std::string> w = words(line);
    size_t i = 0;
    isExtern = false;
    while (i < w.size() && (w[i] == ".extern" || w[i] == ".visible" || w[i] == ".weak")) isExtern |= w[i++] == ".extern";
    if (i >= w.size() || w[i] != ".shared") return false;
    i++;
    size_t align = 0;
    if (i + 1 < w.size() && w[i] == ".align") {
        align = (size_t)std::strtoull(w[i + 1].c_str(), nullptr, 10);
        i += 2;
    }
    if (i + 1 >= w.size() || w[i].size() < 2 || w[i][0] != '.') return false;
    const size_t element = type_bytes(w[i].substr(1));
    if (element == 0) return false;
    const std::string& declarator = w[i + 1];
    const size_t bracket = declarator.find('[');
    var.name = declarator.substr(0, bracket);
    var.align = align != 0 ? align : element;
    size_t count = 1;
    for (size_t b = bracket; b != std::string::npos; b = declarator.find('[', b + 1)) {
        const size_t close = declarator.find(']', b);
        if (close == std::string::npos) return false;
        const std::string n = declarator.substr(b + 1, close - b - 1);
        count *= n.empty() ? 0 : (size_t)std::strtoull(n.c_str(), nullptr, 10);
    }
    var.bytes = count * element;
    return true;
}

// The name of the function a `.entry NAME(` or `.func (.param ...) NAME(` line declares ("" when none).
std::string function_name(const std::string& line, bool& entry) {
    size_t at = line.find(".entry ");
    entry = at != std::string::npos;
    if (!entry) at = line.find(".func ");
    if (at == std::string::npos) return "";
    size_t p = line.find(' ', at) + 1;
    while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) p++;
    if (p < line.size() && line[p] == '(') {  // return parameters of a .func
        p = line.find(')', p);
        if (p == std::string::npos) return "";
        p++;
        while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) p++;
    }
    size_t e = p;
    while (e < line.size() && (std::isalnum((unsigned char)line[e]) || line[e] == '_' || line[e] == '$')) e++;
    return line.substr(p, e - p);
}

bool mentions(const std::string& text, const std::string& name) {
    size_t pos = 0;
    while ((pos = text.find(name, pos)) != std::string::npos) {
        const bool startOk = pos == 0 || !(std::isalnum((unsigned char)text[pos - 1]) || text[pos - 1] == '_' || text[pos - 1] == '$');
        const size_t end = pos + name.size();
        const bool endOk = end >= text.size() || !(std::isalnum((unsigned char)text[end]) || text[end] == '_' || text[end] == '$');
        if (startOk && endOk) return true;
        pos = end;
    }
    return false;
}

size_t add_aligned(size_t offset, const SharedVariable& v) {
    const size_t a = v.align == 0 ? 1 : v.align;
    return (offset + a - 1) / a * a + v.bytes;
}

}  // namespace

bool parse_ptx(const char* image, PtxModule& module, std::string& error) {
    if (image == nullptr) {
        error = "the module image is a null pointer";
        return false;
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(image);
    if (bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F') {
        error = "the image is a CUBIN (ELF); the emulated device loads PTX only (the engine compiles for compute_90 when emulated)";
        return false;
    }
    if (bytes[0] == 0x50 && bytes[1] == 0xed && bytes[2] == 0x55 && bytes[3] == 0xba) {
        error = "the image is a fatbin; the emulated device loads PTX only (prebuilt fatbins are ignored when emulated)";
        return false;
    }
    std::istringstream in{std::string(image)};
    std::string line;
    std::vector<SharedVariable> moduleShared;
    struct Function {
        std::string name;
        bool entry = false;
        std::vector<SharedVariable> local;
        std::string body;
        unsigned int maxThreads = 0;
    };
    std::deque<Function> functions;
    int depth = 0;
    Function* current = nullptr;
    bool inHeader = false;
    while (std::getline(in, line)) {
        bool entry = false;
        const std::string name = depth == 0 && !inHeader && line.find("//") == std::string::npos ? function_name(line, entry) : "";
        if (!name.empty()) {
            functions.push_back(Function{});
            current = &functions.back();
            current->entry = entry;
            current->name = name;
            inHeader = true;
        }
        const size_t maxntid = inHeader ? line.find(".maxntid") : std::string::npos;
        if (maxntid != std::string::npos) {
            unsigned int product = 1;
            for (const std::string& w : words(line.substr(maxntid + 8))) product *= (unsigned int)std::strtoul(w.c_str(), nullptr, 10);
            current->maxThreads = product;
        }
        SharedVariable var;
        bool isExtern = false;
        const bool shared = parse_shared(line, var, isExtern);
        if (shared && depth == 0 && !inHeader) {
            if (!isExtern) moduleShared.push_back(var);
        } else if (shared && depth > 0 && current != nullptr) {
            current->local.push_back(var);
        } else if (depth > 0 && current != nullptr) {
            current->body += line;
            current->body += '\n';
        }
        for (char c : line) {
            if (c == '{') {
                depth++;
                inHeader = false;
            } else if (c == '}') {
                depth--;
                if (depth == 0) current = nullptr;
            }
        }
        if (inHeader && line.find(';') != std::string::npos && depth == 0) {
            inHeader = false;  // a declaration (prototype) without a body
            current = nullptr;
        }
    }
    for (const Function& f : functions) {
        if (!f.entry) continue;
        size_t offset = 0;
        for (const SharedVariable& v : moduleShared) {
            bool used = mentions(f.body, v.name);
            // Used through a called .func (kernels are inlined, but a non-inlined helper may hold the reference).
            for (const Function& g : functions) {
                if (!used && !g.entry && mentions(f.body, g.name) && mentions(g.body, v.name)) used = true;
            }
            if (used) offset = add_aligned(offset, v);
        }
        for (const SharedVariable& v : f.local) offset = add_aligned(offset, v);
        PtxEntry entry;
        entry.staticSharedBytes = offset;
        entry.maxThreads = f.maxThreads;
        module.entries[f.name] = entry;
    }
    if (module.entries.empty()) {
        error = "the image has no .entry (it is not PTX text, or holds no kernel)";
        return false;
    }
    return true;
}

}  // namespace ntr_emu
