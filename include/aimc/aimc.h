/* aimc/aimc.h — umbrella header of the aimc-bench library. */
#ifndef AIMC_AIMC_H
#define AIMC_AIMC_H
#include "aimc/common.h"
#include "aimc/rng.h"
#include "aimc/response.h"
#include "aimc/device.h"
#include "aimc/tile.h"
#include "aimc/optim.h"
#include "aimc/problem.h"
#include "aimc/train.h"
#include "aimc/h5.h"
#include "aimc/data.h"
#include "aimc/nn.h"
#endif
