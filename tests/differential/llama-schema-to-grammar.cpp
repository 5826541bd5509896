// llama.cpp's JSON-schema converter as a command, for the differential test
// (ci/llama-schema-to-grammar.sh builds it): schema JSON on stdin, GBNF on stdout.
#include "json-schema-to-grammar.h"
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>
#include <cstdlib>

// common.cpp's string helpers, which the converter uses (common.cpp itself would
// bring in the whole of llama.cpp).
std::string string_repeat(const std::string & str, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; i++) out += str;
    return out;
}
std::string string_join(const std::vector<std::string> & values, const std::string & separator) {
    std::string out;
    for (size_t i = 0; i < values.size(); i++) { if (i) out += separator; out += values[i]; }
    return out;
}
std::vector<std::string> string_split(const std::string & str, const std::string & delimiter) {
    std::vector<std::string> parts;
    size_t start = 0, end;
    while ((end = str.find(delimiter, start)) != std::string::npos) { parts.push_back(str.substr(start, end - start)); start = end + delimiter.size(); }
    parts.push_back(str.substr(start));
    return parts;
}

int main() {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    try {
        std::cout << json_schema_to_grammar(common_json::parse(text));
    } catch (const std::exception & e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}

// json.cpp reports impossible states through ggml's abort; nothing else of ggml is linked.
extern "C" [[noreturn]] void ggml_abort(const char * file, int line, const char * fmt, ...) {
    std::cerr << "ggml_abort at " << file << ":" << line << ": " << fmt << "\n";
    std::abort();
}
