// The reference "naive libcurl loop" of the engine benchmark: N easy handles on one multi
// handle, driven by curl_multi_perform + curl_multi_poll, each handle re-added as soon as
// it completes, for a fixed time, on one thread. It is what loadgrid's engine must beat;
// it is not used by loadgrid itself.
//
//   naive-curl-loop URL CONNECTIONS SECONDS   ->   prints "requests=N rps=R"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <curl/curl.h>

namespace {

size_t discard(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: naive-curl-loop URL CONNECTIONS SECONDS\n");
    return 2;
  }
  const char* url = argv[1];
  const int connections = std::atoi(argv[2]);
  const int seconds = std::atoi(argv[3]);
  if (connections <= 0 || seconds <= 0) return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  std::vector<CURL*> handles;
  for (int i = 0; i < connections; ++i) {
    CURL* e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_multi_add_handle(multi, e);
    handles.push_back(e);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  long long done = 0, failed = 0;
  int running = 0;
  while (std::chrono::steady_clock::now() < end) {
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      ++done;
      if (msg->data.result != CURLE_OK) ++failed;
      curl_multi_remove_handle(multi, msg->easy_handle);
      curl_multi_add_handle(multi, msg->easy_handle);
    }
    curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("requests=%lld failed=%lld rps=%.0f\n", done, failed, done / elapsed);
  for (CURL* e : handles) {
    curl_multi_remove_handle(multi, e);
    curl_easy_cleanup(e);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
