#include "actopo/store.hpp"
