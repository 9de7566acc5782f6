import BerthCore
