#include "actopo/dataset.hpp"
