// The layers of a TorchScript model, through actopo::nn.
#include <cstdio>

#include "actopo/extract.hpp"

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    std::fputs(actopo::describe_model(argv[1]).c_str(), stdout);
    return 0;
}
