// main() for fuzz targets built without libFuzzer (the gcc build): runs
// LLVMFuzzerTestOneInput on every file named on the command line and every
// file in every folder named there, so the committed corpus and regressions
// are checked in every build. Exits 0 when every input ran; a crashing
// input ends the process as it would under libFuzzer.
//
//   edtf_fuzzer tests/fuzz/corpus/edtf_fuzzer
//   tests/fuzz/regressions/edtf_fuzzer

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
    __attribute__((weak));

namespace {

bool ReadFile(const std::filesystem::path& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  contents->assign(std::istreambuf_iterator<char>(in),
                   std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path path(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      for (const auto& entry :
           std::filesystem::recursive_directory_iterator(path, error)) {
        // README files and .gitkeep markers are not inputs.
        std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name[0] != '.' && name != "README.md") {
          inputs.push_back(entry.path());
        }
      }
    } else if (std::filesystem::is_regular_file(path, error)) {
      inputs.push_back(path);
    } else {
      std::fprintf(stderr, "%s: no such file or folder\n", argv[i]);
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const std::filesystem::path& path : inputs) {
    std::string contents;
    if (!ReadFile(path, &contents)) {
      std::fprintf(stderr, "%s: cannot read\n", path.c_str());
      return 2;
    }
    std::fprintf(stderr, "Running %s (%zu bytes)\n", path.c_str(),
                 contents.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(contents.data()),
                           contents.size());
  }
  std::fprintf(stderr, "Ran %zu inputs\n", inputs.size());
  return inputs.empty() ? 1 : 0;
}
